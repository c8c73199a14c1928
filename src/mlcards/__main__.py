from mlcards.cli import main

raise SystemExit(main())
