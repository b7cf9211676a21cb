"""`python -m assistant.eval FILE.jsonl`: see `assistant.eval.runner`."""

import sys

from assistant.eval.runner import main

sys.exit(main())
