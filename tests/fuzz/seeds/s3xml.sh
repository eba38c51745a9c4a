#!/usr/bin/env bash
# Seeds for fuzz-s3xml: an S3 error and a multipart result.
set -euo pipefail
out=$1
printf '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>' > "$out/error"
printf '<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket><Key>k</Key><UploadId>abc&amp;d</UploadId></InitiateMultipartUploadResult>' > "$out/init"
