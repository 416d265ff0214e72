"""Errors that carry a message fit to show the person who caused them."""


class TactfulError(Exception):
    """Base class of Tactful's own errors."""


class InputError(TactfulError, ValueError):
    """The input cannot be processed (empty, too large, undecodable, malformed)."""


class ModelNotReady(TactfulError):
    """The classifier has not been loaded yet."""


class PayloadTooLarge(InputError):
    """The input is over the configured size limit."""
