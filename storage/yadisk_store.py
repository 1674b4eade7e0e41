"""Order files on Yandex Disk through the `yadisk` sync client.

Every yadisk exception is translated into a StorageError with a Russian message, so
the bot and the admin can show it as is. `permanent` tells the sync queue whether to
keep retrying quietly (network) or to tell the director (token, full disk).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yadisk
from yadisk import exceptions as yx
from yadisk.sessions.requests_session import RequestsSession

from core.base.interfaces import StoredFile
from storage.errors import StorageError
from storage.folders import order_folder
from storage.local import guess_type
from storage.names import check_key, join_key, split_ext

__all__ = ["DEFAULT_BASE_URL", "MESSAGES", "RebasedSession", "YandexDiskStore"]

DEFAULT_BASE_URL = "https://cloud-api.yandex.net"

MESSAGES = {
    "token": "Токен Яндекс Диска недействителен или истёк — обновите его в настройках",
    "forbidden": "Яндекс Диск запретил доступ к папке — проверьте права приложения в настройках",
    "space": "На Яндекс Диске закончилось место — освободите место или расширьте тариф",
    "too_large": "Файл слишком большой для загрузки на Яндекс Диск",
    "timeout": "Яндекс Диск не ответил вовремя — попробуем ещё раз позже",
    "network": "Нет связи с Яндекс Диском — попробуем ещё раз позже",
    "unavailable": "Яндекс Диск временно недоступен — попробуем ещё раз позже",
    "limit": "Яндекс Диск временно ограничил запросы — попробуем ещё раз позже",
    "other": "Ошибка Яндекс Диска: {detail}",
}


class RebasedSession(RequestsSession):
    """A requests session that sends API calls to another base URL.

    yadisk 3.4 reads the base URL only from the module-global `yadisk.settings.BASE_API_URL`;
    rewriting per session keeps two stores (or a test and a real one) independent.
    Upload/download hrefs the server returns are absolute and are followed untouched.
    """

    def __init__(self, base_url: str, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.base_url = base_url.rstrip("/")

    def send_request(self, method: Any, url: str, **kwargs: Any) -> Any:
        default = yadisk.settings.BASE_API_URL.rstrip("/")
        if url.startswith(default + "/"):
            url = self.base_url + url[len(default) :]
        return super().send_request(method, url, **kwargs)


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """yadisk exceptions -> StorageError with a message for people."""
    try:
        yield
    except yx.UnauthorizedError as exc:
        raise StorageError(MESSAGES["token"], permanent=True) from exc
    except yx.ForbiddenError as exc:
        raise StorageError(MESSAGES["forbidden"], permanent=True) from exc
    except yx.InsufficientStorageError as exc:
        raise StorageError(MESSAGES["space"], permanent=True) from exc
    except yx.PayloadTooLargeError as exc:
        raise StorageError(MESSAGES["too_large"], permanent=True) from exc
    except yx.RequestTimeoutError as exc:
        raise StorageError(MESSAGES["timeout"]) from exc
    except yx.RequestError as exc:  # connection refused, DNS, too many redirects
        raise StorageError(MESSAGES["network"]) from exc
    except (yx.RetriableYaDiskError, yx.LockedError) as exc:  # 5xx, upload traffic limit
        raise StorageError(MESSAGES["unavailable"]) from exc
    except yx.TooManyRequestsError as exc:
        raise StorageError(MESSAGES["limit"]) from exc
    except (yx.PathNotFoundError, yx.PathExistsError):
        raise  # callers turn these into FileNotFoundError / the next free name
    except yx.YaDiskError as exc:
        raise StorageError(MESSAGES["other"].format(detail=exc)) from exc


class YandexDiskStore:
    """FileStore on Yandex Disk. Keys are the same relative paths LocalStore uses."""

    can_share = True

    def __init__(
        self,
        token: str,
        root: str = "disk:/Бригадир",
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float | tuple[float, float] = 5.0,
        n_retries: int = 2,
        retry_interval: float = 1.0,
    ):
        self.root = root.rstrip("/")
        self.client = yadisk.Client(
            token=token,
            session=RebasedSession(base_url),
            default_args={
                "timeout": timeout,
                "n_retries": n_retries,
                "retry_interval": retry_interval,
            },
        )

    def remote_path(self, key: str) -> str:
        return f"{self.root}/{check_key(key)}"

    def check(self) -> None:
        """Raise StorageError if the token is bad or the disk unreachable (settings page, startup)."""
        with translate_errors():
            if not self.client.check_token():
                raise StorageError(MESSAGES["token"], permanent=True)

    def makedirs(self, folder: str, *, retries: int | None = None) -> None:
        """retries=0 when a person is waiting for the answer (the share button)."""
        extra = {} if retries is None else {"n_retries": retries}
        with translate_errors():
            try:
                self.client.makedirs(f"{self.root}/{folder}" if folder else self.root, **extra)
            except yx.DirectoryExistsError:
                pass  # the common case: the order folder is already there

    def save(
        self, folder: str, name: str, data: bytes, content_type: str | None = None
    ) -> StoredFile:
        key = join_key(folder, name)
        parent = key.rpartition("/")[0]
        self.makedirs(parent)
        stem, ext = split_ext(key.rpartition("/")[2])
        n = 1
        while True:
            try:
                # overwrite=False makes the server refuse a taken name, so the check is atomic.
                self._upload(key, data, overwrite=False)
                break
            except yx.PathExistsError:
                n += 1
                key = f"{parent}/{stem} ({n}){ext}" if parent else f"{stem} ({n}){ext}"
        return StoredFile(key=key, size=len(data), content_type=guess_type(key, content_type))

    def put(self, key: str, data: bytes) -> None:
        """Upload at exactly this key, replacing what is there (the sync queue is idempotent)."""
        self.makedirs(check_key(key).rpartition("/")[0])
        try:
            self._upload(key, data, overwrite=True)
        except yx.PathExistsError as exc:  # only if the key is a folder
            raise StorageError(MESSAGES["other"].format(detail=exc), permanent=True) from exc

    def _upload(self, key: str, data: bytes, *, overwrite: bool) -> None:
        with translate_errors():
            self.client.upload(io.BytesIO(data), self.remote_path(key), overwrite=overwrite)

    def read(self, key: str) -> bytes:
        buf = io.BytesIO()
        try:
            with translate_errors():
                self.client.download(self.remote_path(key), buf)
        except yx.PathNotFoundError as exc:
            raise FileNotFoundError(key) from exc
        return buf.getvalue()

    def exists(self, key: str) -> bool:
        with translate_errors():
            return self.client.exists(self.remote_path(key))

    def delete(self, key: str, *, permanently: bool = False) -> None:
        try:
            with translate_errors():
                # to the Disk's trash by default: a slip of the finger stays recoverable
                self.client.remove(self.remote_path(key), permanently=permanently)
        except yx.PathNotFoundError:
            pass

    # whole files on disk, streamed (backups: memory stays flat whatever the size) ----------
    def put_file(self, key: str, path: Path) -> None:
        """Upload a local file at exactly this key, replacing it."""
        self.makedirs(check_key(key).rpartition("/")[0])
        with translate_errors(), open(path, "rb") as fh:
            self.client.upload(fh, self.remote_path(key), overwrite=True)

    def download_to(self, key: str, path: Path) -> None:
        try:
            with translate_errors():
                self.client.download(self.remote_path(key), str(path))
        except yx.PathNotFoundError as exc:
            raise FileNotFoundError(key) from exc

    def walk(self, folder: str = "") -> Iterator[tuple[str, int, str]]:
        """(key, size, md5) of every file under a folder, depth first."""
        base = f"{self.root}/{check_key(folder)}" if folder else self.root
        try:
            with translate_errors():
                items = list(self.client.listdir(base, limit=1000))
        except yx.PathNotFoundError:
            return
        for item in sorted(items, key=lambda it: it.name or ""):
            key = f"{folder}/{item.name}" if folder else str(item.name)
            if item.type == "dir":
                yield from self.walk(key)
            else:
                yield key, int(item.size or 0), item.md5 or ""

    def order_folder(
        self, client_name: str, order_date: dt.date, number: int, description: str
    ) -> str:
        return order_folder(client_name, order_date, number, description)

    def share_link(self, key: str) -> str | None:
        """Publish a file or folder. A person is waiting: one try each, within the timeout."""
        path = self.remote_path(key)
        try:
            with translate_errors():
                self.client.publish(path, n_retries=0)
                return self.client.get_meta(path, fields=["public_url"], n_retries=0).public_url
        except yx.PathNotFoundError as exc:
            raise FileNotFoundError(key) from exc

    def unshare_link(self, key: str) -> None:
        try:
            with translate_errors():
                self.client.unpublish(self.remote_path(key), n_retries=0)
        except yx.PathNotFoundError:
            pass  # nothing there, nothing published

    def list(self, folder: str) -> list[str]:
        """Keys of the files directly in a folder."""
        try:
            with translate_errors():
                items = list(self.client.listdir(f"{self.root}/{check_key(folder)}"))
        except yx.PathNotFoundError:
            return []
        return sorted(f"{folder}/{it.name}" for it in items if it.type == "file")
