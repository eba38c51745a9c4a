#!/usr/bin/env bash
# Seeds for fuzz-s3location: the location forms users and nodes write.
set -euo pipefail
out=$1
printf 's3://AKID:se%%2Fcret@eu-west-1/bucket/live/stream' > "$out/aws"
printf 's3+http://S3RVER:S3RVER@127.0.0.1:4569/hls/prefix' > "$out/compatible"
printf 's3+https://k:s@s3.ap-south-1.amazonaws.com/b.dotted' > "$out/tls"
printf 'http://[::1]:9000' > "$out/endpoint"
