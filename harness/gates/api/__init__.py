"""The api gate: the candidate class offers the public Python surface of the legacy class.

``static`` reads both classes from source with griffe (members, signatures, documented and raised
exceptions); ``runtime`` inspects the imported classes and default-constructed instances
(coroutine or not, instance attributes); ``waivers`` reads the intended differences; ``gate``
judges them.
"""
