#!/usr/bin/env bash
# Regenerates the console's icon set (RGBA PNGs) with ImageMagick: a teal rounded square
# with a white speech bubble, the product's mark. Run from anywhere; writes beside itself.
set -euo pipefail
cd "$(dirname "$0")"
magick=/usr/bin/convert
master=icon.png
"$magick" -size 1024x1024 xc:none \
  -fill '#0f766e' -draw 'roundrectangle 64,64 960,960 200,200' \
  -fill white -draw 'roundrectangle 232,262 792,682 120,120' \
  -fill white -draw 'polygon 330,640 300,820 480,670' \
  -fill '#0f766e' -draw 'circle 372,472 372,522' \
  -fill '#0f766e' -draw 'circle 512,472 512,522' \
  -fill '#0f766e' -draw 'circle 652,472 652,522' \
  -define png:color-type=6 "PNG32:$master"
for size in 32 128 256; do
  "$magick" "$master" -resize ${size}x${size} -define png:color-type=6 "PNG32:${size}x${size}.png"
done
mv 256x256.png 128x128@2x.png
"$magick" "$master" -resize 512x512 -define png:color-type=6 "PNG32:$master"
