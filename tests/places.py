"""Where the tests find the checkout and the files they read (all inside it)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the checkout
# Official WeChat test vectors and hostile samples, copied into the repository
# (tests/vectors/wechat/README.md names each file's origin).
VECTORS = Path(__file__).resolve().parent / "vectors" / "wechat"
