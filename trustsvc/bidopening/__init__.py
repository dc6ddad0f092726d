"""Bid opening: many signed bids verified as one batch, a closing summary, and printable minutes."""
