"""The conversation core: plain incoming events become plain replies. No framework here."""
