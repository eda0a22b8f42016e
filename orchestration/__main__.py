"""`python -m orchestration` is the `planwatch` command."""

from orchestration.cli import main

raise SystemExit(main())
