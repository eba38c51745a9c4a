#!/usr/bin/python3
"""A loopback S3 endpoint that checks every signature, for the signing and fault tests.

s3rver accepts any signature, so it cannot tell a correct SigV4 signer from a broken one.
This server recomputes each request's signature with botocore (Debian's python3-botocore, an
independent implementation) and answers 403 SignatureDoesNotMatch when it differs. It
implements just what lps3sink uses: PutObject, GetObject, HeadObject, DeleteObject,
ListObjectsV2 (one page), multipart uploads, presigned GET/PUT URLs and presigned POST policy
uploads (every condition checked).

Faults for tests: --fail-every N answers 503 SlowDown to every Nth object write, --delay-ms
slows every object write, --stall-every N holds every Nth object write for --stall-ms and then
drops the connection without storing anything (a request lost to a timeout). Every stored write is appended to --journal as "PUT key" (and
playlists' text after it), so a test can check the order in which objects became visible.

Usage: s3verify.py --port P --dir DATA --access-key AK --secret SK [--bucket B ...]
"""
import argparse
import base64
import datetime
import email.parser
import email.policy
import hashlib
import hmac
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ARGS = None
LOCK = threading.Lock()
WRITES = 0
UPLOADS = {}  # upload id -> {part number: bytes}

AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, "
    r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$")


def xml_error(code, message):
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
            "</Error>" % (code, message)).encode()


class Refused(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def credentials():
    return Credentials(ARGS.access_key, ARGS.secret, ARGS.session_token or None)


def verify_header_auth(handler, body):
    auth = handler.headers.get("Authorization", "")
    m = AUTH_RE.match(auth)
    if not m:
        raise Refused(403, "AccessDenied", "no or malformed SigV4 Authorization header")
    access, day, region, signed, signature = m.groups()
    if access != ARGS.access_key:
        raise Refused(403, "InvalidAccessKeyId", "unknown access key")
    amz_date = handler.headers.get("X-Amz-Date", "")
    if amz_date[:8] != day:
        raise Refused(403, "SignatureDoesNotMatch", "X-Amz-Date does not match the scope")
    names = signed.split(";")
    for required in ("host", "x-amz-date", "x-amz-content-sha256"):
        if required not in names:
            raise Refused(403, "AccessDenied", "%s is not signed" % required)
    content_sha = handler.headers.get("X-Amz-Content-SHA256", "")
    if content_sha != "UNSIGNED-PAYLOAD" and content_sha != hashlib.sha256(body).hexdigest():
        raise Refused(400, "XAmzContentSHA256Mismatch", "the body does not match its hash")
    if ARGS.session_token:
        if handler.headers.get("X-Amz-Security-Token") != ARGS.session_token or \
                "x-amz-security-token" not in names:
            raise Refused(403, "InvalidToken", "missing or wrong session token")
    headers = {}
    for name in names:
        value = handler.headers.get_all(name)
        if value is None:
            raise Refused(403, "AccessDenied", "signed header %s is missing" % name)
        headers[name] = ",".join(value)
    request = AWSRequest(method=handler.command, url="http://%s%s" % (headers["host"], handler.path),
                         headers=headers, data=body)
    request.context["timestamp"] = amz_date
    signer = S3SigV4Auth(credentials(), "s3", region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, signature):
        raise Refused(403, "SignatureDoesNotMatch",
                      "The request signature we calculated does not match the signature you "
                      "provided. Check your key and signing method.")


def verify_query_auth(handler, query):
    credential = query.get("X-Amz-Credential", [""])[0].split("/")
    if len(credential) != 5 or credential[0] != ARGS.access_key:
        raise Refused(403, "InvalidAccessKeyId", "unknown access key")
    amz_date = query.get("X-Amz-Date", [""])[0]
    expires = int(query.get("X-Amz-Expires", ["0"])[0])
    signed_at = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.timezone.utc)
    if datetime.datetime.now(datetime.timezone.utc) > signed_at + datetime.timedelta(seconds=expires):
        raise Refused(403, "AccessDenied", "Request has expired")
    signature = query.get("X-Amz-Signature", [""])[0]
    raw_query = urllib.parse.urlsplit(handler.path).query
    kept = "&".join(p for p in raw_query.split("&") if not p.startswith("X-Amz-Signature="))
    path = urllib.parse.urlsplit(handler.path).path
    request = AWSRequest(method=handler.command,
                         url="http://%s%s?%s" % (handler.headers["Host"], path, kept),
                         headers={"host": handler.headers["Host"]})
    request.context["timestamp"] = amz_date
    signer = S3SigV4QueryAuth(credentials(), "s3", credential[2], expires=expires)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, signature):
        raise Refused(403, "SignatureDoesNotMatch", "presigned URL signature does not match")


def check_policy(form, bucket):
    """Checks a presigned POST form as S3 does: signature, expiry and every condition."""
    policy_b64 = form.get("policy", "")
    credential = form.get("x-amz-credential", "").split("/")
    if len(credential) != 5 or credential[0] != ARGS.access_key:
        raise Refused(403, "InvalidAccessKeyId", "unknown access key")
    request = AWSRequest(method="POST", url="http://localhost/")
    request.context["timestamp"] = credential[1] + "T000000Z"
    signer = S3SigV4Auth(credentials(), "s3", credential[2])
    if not hmac.compare_digest(signer.signature(policy_b64, request), form.get("x-amz-signature", "")):
        raise Refused(403, "SignatureDoesNotMatch", "policy signature does not match")
    policy = json.loads(base64.b64decode(policy_b64))
    expiration = datetime.datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)
    if datetime.datetime.now(datetime.timezone.utc) > expiration:
        raise Refused(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    fields = dict(form)
    fields["bucket"] = bucket
    covered = {"bucket", "policy", "x-amz-signature", "file"}
    for condition in policy["conditions"]:
        if isinstance(condition, dict):
            (name, value), = condition.items()
            covered.add(name.lower())
            if fields.get(name) != value:
                raise Refused(403, "AccessDenied",
                              "Invalid according to Policy: Policy Condition failed: "
                              "[\"eq\", \"$%s\", \"%s\"]" % (name, value))
        elif condition[0] in ("starts-with", "eq"):
            name = condition[1].lstrip("$")
            covered.add(name.lower())
            value = fields.get(name, "")
            ok = value.startswith(condition[2]) if condition[0] == "starts-with" \
                else value == condition[2]
            if not ok:
                raise Refused(403, "AccessDenied",
                              "Invalid according to Policy: Policy Condition failed: %s" %
                              json.dumps(condition))
    for name in form:
        if name.lower() not in covered and not name.lower().startswith("x-ignore-"):
            raise Refused(403, "AccessDenied",
                          "Invalid according to Policy: Extra input fields: %s" % name)


def object_path(bucket, key):
    return os.path.join(ARGS.dir, bucket, key)


def store(bucket, key, data, content_type, cache_control):
    path = object_path(bucket, key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp-" + uuid.uuid4().hex
    with open(tmp, "wb") as f:
        f.write(data)
    with open(path + ".meta.tmp", "w") as f:
        json.dump({"content_type": content_type or "", "cache_control": cache_control or ""}, f)
    os.replace(path + ".meta.tmp", path + ".meta")
    with LOCK:
        os.replace(tmp, path)
        if ARGS.journal:
            with open(ARGS.journal, "a") as j:
                j.write("PUT %s/%s\n" % (bucket, key))
                if key.endswith(".m3u8"):
                    for line in data.decode(errors="replace").splitlines():
                        j.write("  " + line + "\n")


class Stalled(Exception):
    pass


def injected_fault():
    global WRITES
    with LOCK:
        WRITES += 1
        n = WRITES
    if ARGS.delay_ms:
        time.sleep(ARGS.delay_ms / 1000.0)
    if ARGS.stall_every and n % ARGS.stall_every == 0:
        time.sleep(ARGS.stall_ms / 1000.0)
        raise Stalled()
    return ARGS.fail_every and n % ARGS.fail_every == 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if ARGS.verbose:
            sys.stderr.write("s3verify: " + fmt % args + "\n")

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length) if length else b""

    def handle_any(self):
        body = self.read_body()
        split = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        parts = urllib.parse.unquote(split.path).lstrip("/").split("/", 1)
        bucket, key = parts[0], (parts[1] if len(parts) > 1 else "")
        try:
            if self.command == "POST" and not key and "multipart/form-data" in \
                    self.headers.get("Content-Type", ""):
                return self.post_form(bucket, body)
            if "X-Amz-Signature" in query:
                verify_query_auth(self, query)
            else:
                verify_header_auth(self, body)
            if bucket not in ARGS.bucket:
                raise Refused(404, "NoSuchBucket", "The specified bucket does not exist")
            return self.dispatch(bucket, key, query, body)
        except Refused as e:
            self.reply(e.status, xml_error(e.code, e.message) if self.command != "HEAD" else b"",
                       {"Content-Type": "application/xml"})
        except Stalled:
            self.close_connection = True

    def dispatch(self, bucket, key, query, body):
        if not key:
            if self.command == "GET":
                return self.reply(200, b"<?xml version=\"1.0\"?><ListBucketResult><Name>%s</Name>"
                                  b"<KeyCount>0</KeyCount></ListBucketResult>" % bucket.encode(),
                                  {"Content-Type": "application/xml"})
            if self.command == "HEAD":
                return self.reply(200)
            raise Refused(405, "MethodNotAllowed", "not on a bucket")
        if self.command in ("PUT", "POST") and injected_fault():
            raise Refused(503, "SlowDown", "Please reduce your request rate.")
        if self.command == "POST" and "uploads" in query:
            upload_id = uuid.uuid4().hex
            with LOCK:
                UPLOADS[upload_id] = {"parts": {}, "type": self.headers.get("Content-Type"),
                                      "cache": self.headers.get("Cache-Control")}
            return self.reply(200, ("<InitiateMultipartUploadResult><Bucket>%s</Bucket><Key>%s</Key>"
                                    "<UploadId>%s</UploadId></InitiateMultipartUploadResult>" %
                                    (bucket, key, upload_id)).encode())
        if self.command == "PUT" and "uploadId" in query:
            upload = UPLOADS.get(query["uploadId"][0])
            if upload is None:
                raise Refused(404, "NoSuchUpload", "no such upload")
            upload["parts"][int(query["partNumber"][0])] = body
            return self.reply(200, headers={"ETag": '"%s"' % hashlib.md5(body).hexdigest()})
        if self.command == "POST" and "uploadId" in query:
            upload = UPLOADS.pop(query["uploadId"][0], None)
            if upload is None:
                raise Refused(404, "NoSuchUpload", "no such upload")
            numbers = [int(n) for n in re.findall(rb"<PartNumber>(\d+)</PartNumber>", body)]
            if numbers != sorted(upload["parts"]) or not numbers:
                raise Refused(400, "InvalidPart", "parts do not match")
            for n in numbers[:-1]:
                if len(upload["parts"][n]) < 5 * 1024 * 1024:
                    raise Refused(400, "EntityTooSmall", "part %d is below 5 MiB" % n)
            data = b"".join(upload["parts"][n] for n in numbers)
            store(bucket, key, data, upload["type"], upload["cache"])
            return self.reply(200, b"<CompleteMultipartUploadResult><Key>%s</Key>"
                              b"</CompleteMultipartUploadResult>" % key.encode())
        if self.command == "DELETE" and "uploadId" in query:
            UPLOADS.pop(query["uploadId"][0], None)
            return self.reply(204)
        if self.command == "PUT":
            store(bucket, key, body, self.headers.get("Content-Type"),
                  self.headers.get("Cache-Control"))
            return self.reply(200, headers={"ETag": '"%s"' % hashlib.md5(body).hexdigest()})
        path = object_path(bucket, key)
        if self.command == "DELETE":
            for p in (path, path + ".meta"):
                if os.path.exists(p):
                    os.remove(p)
            return self.reply(204)
        if self.command in ("GET", "HEAD"):
            if not os.path.isfile(path):
                raise Refused(404, "NoSuchKey", "The specified key does not exist.")
            with open(path, "rb") as f:
                data = f.read()
            meta = {}
            if os.path.exists(path + ".meta"):
                with open(path + ".meta") as f:
                    meta = json.load(f)
            headers = {"Content-Type": meta.get("content_type") or "binary/octet-stream",
                       "ETag": '"%s"' % hashlib.md5(data).hexdigest()}
            if meta.get("cache_control"):
                headers["Cache-Control"] = meta["cache_control"]
            if self.command == "HEAD":
                self.send_response(200)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                return None
            return self.reply(200, data, headers)
        raise Refused(405, "MethodNotAllowed", self.command)

    def post_form(self, bucket, body):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body)
        form, data, file_type = {}, None, None
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name == "file":
                data = part.get_payload(decode=True)
                file_type = part.get_content_type()
            else:
                form[name] = part.get_payload(decode=True).decode()
        if data is None:
            raise Refused(400, "InvalidArgument", "POST requires exactly one file upload")
        check_policy(form, bucket)
        if bucket not in ARGS.bucket:
            raise Refused(404, "NoSuchBucket", "The specified bucket does not exist")
        if injected_fault():
            raise Refused(503, "SlowDown", "Please reduce your request rate.")
        store(bucket, form["key"], data, form.get("Content-Type") or file_type,
              form.get("Cache-Control"))
        # S3 answers 204 with an empty body by default.
        return self.reply(204)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--access-key", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--session-token", default="")
    parser.add_argument("--bucket", action="append", default=[])
    parser.add_argument("--journal", default="")
    parser.add_argument("--fail-every", type=int, default=0)
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--stall-every", type=int, default=0)
    parser.add_argument("--stall-ms", type=int, default=0)
    parser.add_argument("--verbose", action="store_true")
    ARGS = parser.parse_args()
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    print("s3verify listening on 127.0.0.1:%d" % ARGS.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
