#!/bin/sh
# SPDX-License-Identifier: Apache 2.0
# Copyright 2024 The Harbour Tools authors
#
# Copies last month's tide gauge archive from the gauge's SD card mount to the office share.
set -eu

SRC=${GAUGE_MOUNT:-/mnt/gauge}
DST=${ARCHIVE_DIR:-/srv/share/tide-archive}
MONTH=$(date -d "last month" +%Y-%m)

mkdir -p "$DST/$MONTH"
for f in "$SRC"/"$MONTH"-*.csv; do
    [ -e "$f" ] || { echo "no samples for $MONTH in $SRC" >&2; exit 1; }
    cp -p "$f" "$DST/$MONTH/"
done
sha256sum "$DST/$MONTH"/*.csv > "$DST/$MONTH/SHA256SUMS"
echo "archived $(ls "$DST/$MONTH"/*.csv | wc -l) files to $DST/$MONTH"
