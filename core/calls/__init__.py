"""Calls: what a cloud PBX (Novofon, Mango Office) tells about calls becomes part of the
client's story — the log, the caller's card, «Перезвонить» tasks, recordings."""
