"""The small base every domain stands on: database, configuration, clock, money and phone formats, errors, limits, the interfaces core asks the outer layers for."""
