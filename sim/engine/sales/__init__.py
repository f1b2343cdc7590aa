"""Selling: traffic by channel, the offer a visitor sees (prices, fees, policies), the funnel, A/B arms, SKUs."""
