"""moto's server (the local S3, SQS, SNS and SES) that keeps S3's buckets and objects in a folder, so uploaded
files outlive a restart as DynamoDB Local's data does: `python -m local.moto_server PORT [FOLDER]`.

moto keeps everything in memory; this process writes each bucket's objects to FOLDER after every write request
(and once more on SIGTERM or SIGINT), and puts them back through the S3 API when it starts."""
import hashlib
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import boto3
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

WRITES = {"PUT", "POST", "DELETE"}


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: a stop mid-write leaves the previous file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


class Folder:
    """Each bucket as <folder>/<bucket>/: per object, its bytes under the sha256 of its key and a .json beside them
    with the key, ETag, LastModified, content type and user metadata."""

    def __init__(self, root: Path, endpoint: str) -> None:
        self.root = root
        self.s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="local",
                               aws_secret_access_key="local")  # noqa: S106 (moto accepts any key)
        self.changed = threading.Event()
        self.lock = threading.Lock()

    def restore(self) -> None:
        for bucket in sorted(path for path in self.root.iterdir() if path.is_dir()):
            self.s3.create_bucket(Bucket=bucket.name)
            for description in bucket.glob("*.json"):
                kept = json.loads(description.read_text())
                self.s3.put_object(Bucket=bucket.name, Key=kept["key"], Body=description.with_suffix("").read_bytes(),
                                   ContentType=kept["content_type"], Metadata=kept["metadata"])
        self.save()  # the restored objects' new LastModified

    def save(self) -> None:
        """Write what is new or changed since the last save; remove what was deleted."""
        with self.lock:
            for bucket in self.s3.list_buckets().get("Buckets", []):
                self._save_bucket(bucket["Name"])

    def _save_bucket(self, bucket: str) -> None:
        folder = self.root / bucket
        folder.mkdir(parents=True, exist_ok=True)
        present = set()
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for listed in page.get("Contents", []):
                name = hashlib.sha256(listed["Key"].encode()).hexdigest()
                present.add(name)
                self._save_object(folder / name, bucket, listed)
        for description in folder.glob("*.json"):
            if description.stem not in present:  # the description first: a restore reads only described files
                description.unlink()
                description.with_suffix("").unlink(missing_ok=True)

    def _save_object(self, path: Path, bucket: str, listed: dict[str, Any]) -> None:
        description = path.with_suffix(".json")
        stamp = {"etag": listed["ETag"], "last_modified": listed["LastModified"].isoformat()}
        kept = json.loads(description.read_text()) if description.exists() else {}
        if kept and all(kept[name] == value for name, value in stamp.items()):
            return
        if kept.get("etag") == listed["ETag"]:  # same bytes: only the description may have changed
            head = self.s3.head_object(Bucket=bucket, Key=listed["Key"])
        else:
            head = self.s3.get_object(Bucket=bucket, Key=listed["Key"])
            _write(path, head["Body"].read())
        _write(description, json.dumps({"key": listed["Key"], **stamp, "content_type": head.get("ContentType", ""),
                                        "metadata": head.get("Metadata", {})}).encode())

    def keep_saving(self) -> None:
        while self.changed.wait():
            self.changed.clear()
            try:
                self.save()
            except Exception:  # the next write, or the stop, saves again
                logging.exception("saving S3's files failed")


def _server(port: int, app: Any) -> Any:
    return make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)


def main(port: int, root: Path | None) -> None:
    dispatcher = DomainDispatcherApplication(create_backend_app)
    folder = None
    if root is not None:
        # The folder speaks to moto through a private port: the restore is done before the public port opens,
        # and its own requests do not count as writes.
        private = _server(0, dispatcher)
        threading.Thread(target=private.serve_forever, daemon=True).start()
        root.mkdir(parents=True, exist_ok=True)
        folder = Folder(root, f"http://127.0.0.1:{private.server_port}")
        folder.restore()
        threading.Thread(target=folder.keep_saving, daemon=True).start()

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        response = dispatcher(environ, start_response)
        if folder and environ["REQUEST_METHOD"] in WRITES:
            folder.changed.set()
        return response

    server = _server(port, app)

    def stop(signum: int, frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    if folder:
        folder.save()


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
