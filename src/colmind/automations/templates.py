"""Text of the files ``cm add automation`` creates."""

MODULE_TEMPLATE = '''"""A new automation. Every public method is an action: cm <method> {alias} ..."""

import json

from cmind.automation import Automation


class CAutomation(Automation):
    """Automation actions."""

    def __init__(self, cmind, automation_file):
        super().__init__(cmind, __file__)

    def test(self, i):
        """Print the input dict (cm test {alias})."""
        print(json.dumps(i, indent=2, default=str))
        return {{"return": 0}}
'''
