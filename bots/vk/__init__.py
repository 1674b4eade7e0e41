"""VK community messages: the Callback API webhook (bots.vk.webhook) and the outbox
transport (bots.vk.transport), both through vkbottle's API client."""
