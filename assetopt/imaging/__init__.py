"""Helpers of ``assetopt.images`` (import through it): sizes, encoders, ``srcset`` copies, screenshot
diff, Pillow's formats and EXIF orientation. With ``images.py``, the only code that imports Pillow."""
