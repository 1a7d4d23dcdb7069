"""Shops (tenants), sharing groups, B2B master/sub-shops and tax rules."""
