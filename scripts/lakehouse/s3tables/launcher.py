"""Starts ministack (an AWS emulator, PyPI `ministack`) with two S3 Tables handlers fixed.

ministack 1.5.33 serves the S3 Tables control plane and its Iceberg REST endpoint, verifies SigV4
and evaluates IAM (AUTH=true). Two gaps break DuckDB 1.5's `ENDPOINT_TYPE s3_tables` ATTACH:

1. `HEAD /iceberg/v1/{prefix}/namespaces/{ns}` (does the namespace exist?) always answers 404, so
   DuckDB never sees a namespace and CREATE SCHEMA fails with 409. Answered here like GET, with
   an empty body, as AWS does.
2. The control-plane CreateTable (what Pulumi's aws.s3tables.Table calls) keeps the table's
   v0.metadata.json in memory only, so readers that open the metadata file get 404 until the
   first commit. Written here to the reported metadataLocation, as ministack already does on an
   Iceberg REST commit (and AWS does on create).

One test hook: `POST /_openaq/expire-session?accessKeyId=...` ends an STS session now (what
happens to a task role's credentials when they reach their expiry), so a test can prove a
long run stops using credentials it was told to replace.

Everything else is ministack's own `main()` (environment: GATEWAY_PORT, AUTH, USE_SSL,
MINISTACK_SSL_CERT, MINISTACK_SSL_KEY, ...).
"""

import json
import time
from urllib.parse import parse_qs

from ministack import app
from ministack.services import s3 as s3_service
from ministack.services import s3tables
from ministack.services import sts

_iceberg_request = s3tables._handle_iceberg_request
_create_table = s3tables._create_table


async def _handle_iceberg_request(method, path, headers, body, query_params):
    if method == "HEAD":
        route = s3tables._iceberg_route(method, path)
        if route and route[0] == "namespaces" and route[1] and len(route[2]) == 1:
            answer = await _iceberg_request("GET", path, headers, b"", query_params)
            if answer is not None:
                return answer[0], {}, b""
    return await _iceberg_request(method, path, headers, body, query_params)


def _create_table_with_metadata_file(bucket_arn, namespace, data):
    answer = _create_table(bucket_arn, namespace, data)
    if answer[0] == 200:
        key = s3tables._table_key(s3tables._existing_bucket_arn(bucket_arn), namespace, data["name"])
        table = s3tables._tables[key]
        bucket, key = table["metadataLocation"][len("s3://") :].split("/", 1)
        s3_service._buckets.setdefault(bucket, {"created": s3tables.now_iso(), "objects": {},
                                                "region": s3tables.get_region()})
        s3_service._put_object(bucket, key, json.dumps(table["_iceberg_metadata"]).encode(),
                               {"content-type": "application/json"})
    return answer


_asgi_app = app.app


async def _app_with_test_hook(scope, receive, send):
    if scope.get("type") == "http" and scope.get("path") == "/_openaq/expire-session":
        query = parse_qs(scope.get("query_string", b"").decode())
        key = (query.get("accessKeyId") or [""])[0]
        session = sts._sessions.get(key)
        if session is not None:
            session["Expiration"] = time.time() - 1
        status = 204 if session is not None else 404
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    await _asgi_app(scope, receive, send)


app.app = _app_with_test_hook
s3tables._handle_iceberg_request = _handle_iceberg_request
s3tables._create_table = _create_table_with_metadata_file

if __name__ == "__main__":
    app.main()
