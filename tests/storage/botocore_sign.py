#!/usr/bin/python3
"""Signs requests with botocore (Debian's python3-botocore) for comparison with our signer.

Reads a JSON list of requests on stdin: {"method", "url", "headers": [[name, value]...],
"body" (text), "region", "access_key", "secret_key", "session_token", "timestamp"
(yyyymmddThhmmssZ), optional "presign_expires"}. Writes a JSON list: for header auth the
headers botocore added (Authorization, X-Amz-Date, X-Amz-Content-SHA256, ...); for presigned
requests the signed URL.
"""
import datetime
import json
import sys

import botocore.auth
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class FixedClock(datetime.datetime):
    """botocore reads the time from datetime.datetime.utcnow(); the test fixes it."""
    fixed = None

    @classmethod
    def utcnow(cls):
        return cls.fixed


def main():
    requests = json.load(sys.stdin)
    out = []
    for r in requests:
        FixedClock.fixed = datetime.datetime.strptime(r["timestamp"], "%Y%m%dT%H%M%SZ")
        botocore.auth.datetime.datetime = FixedClock
        credentials = Credentials(r["access_key"], r["secret_key"], r.get("session_token") or None)
        request = AWSRequest(method=r["method"], url=r["url"],
                             headers=dict(r.get("headers", [])),
                             data=r.get("body", "").encode())
        if "presign_expires" in r:
            S3SigV4QueryAuth(credentials, "s3", r["region"], expires=r["presign_expires"]).add_auth(request)
            out.append({"url": request.url})
        else:
            S3SigV4Auth(credentials, "s3", r["region"]).add_auth(request)
            out.append({"headers": {k: v for k, v in request.headers.items()}})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
