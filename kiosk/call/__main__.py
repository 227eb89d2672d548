"""`python -m kiosk.call …`: see kiosk/call/app.py and docs/calls.md."""

from kiosk.call.app import main

raise SystemExit(main())
