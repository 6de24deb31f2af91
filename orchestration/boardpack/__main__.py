import sys

from orchestration.boardpack import main

sys.exit(main())
