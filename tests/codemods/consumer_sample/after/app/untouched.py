from . import mixed
from .mixed import build

import json  # unrelated

VALUE = json.dumps({"legacy.websocket_server": repr(build), "module": mixed.__name__})
