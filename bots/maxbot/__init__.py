"""The MAX messenger bot: the webhook (bots.maxbot.webhook) and the outbox transport
(bots.maxbot.transport), both through maxapi's Bot pointed at the configured API base."""
