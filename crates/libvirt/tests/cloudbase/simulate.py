"""Runs cloudbase-init's own first boot (InitManager, its ConfigDrive metadata service, its
plugins, stock settings) on a seed ISO, on Linux: only the Windows layer is simulated. That layer
is what cloudbase-init reaches through `osutils` (accounts, host name, scripts, the CD-ROM drive
and its label) plus the Windows path syntax and the raw-disk module the config-drive code
imports. Prints, as JSON, what the guest would have become. Usage: simulate.py SEED.ISO
"""

import importlib
import json
import ntpath
import os
import posixpath
import sys
import tempfile
import types

import pycdlib

from cloudbaseinit import conf as cloudbaseinit_conf
from cloudbaseinit.osutils import base as osutils_base

CONF = cloudbaseinit_conf.CONF
WORK = tempfile.mkdtemp(prefix="cloudbase-sim-")


def volume_label(iso_path):
    """The label Windows shows: the Joliet one when there is one, else the ISO9660 one."""
    with open(iso_path, "rb") as f:
        sector = 16
        label = None
        while True:
            f.seek(sector * 2048)
            vd = f.read(2048)
            if len(vd) < 2048 or vd[0] == 255:
                return label
            if vd[0] == 1 and label is None:
                label = vd[40:72].decode("ascii").rstrip()
            if vd[0] == 2 and vd[88:91] in (b"%/@", b"%/C", b"%/E"):
                return vd[40:72].decode("utf-16-be").rstrip()
            sector += 1


def mount(iso_path):
    """The CD-ROM drive as Windows shows it: the Joliet tree (Windows reads no Rock Ridge)."""
    drive = os.path.join(WORK, "D")
    iso = pycdlib.PyCdlib()
    iso.open(iso_path)
    if not iso.has_joliet():
        # Windows would show upper-case 8.3 ISO9660 names: no openstack/latest/meta_data.json.
        os.makedirs(drive)
        return drive
    for parent, _dirs, files in iso.walk(joliet_path="/"):
        local = os.path.join(drive, parent.lstrip("/"))
        os.makedirs(local, exist_ok=True)
        for name in files:
            iso.get_file_from_iso(
                os.path.join(local, name), joliet_path=posixpath.join(parent, name)
            )
    iso.close()
    return drive


class SimulatedWindows(osutils_base.BaseOSUtils):
    """Windows as cloudbase-init's plugins see it: records what they do."""

    iso_path = None
    drive = None
    state = {
        "users": {},
        "hostname": None,
        "scripts": [],
        "config": {},
    }

    def __init__(self):
        users = self.state["users"]
        if not users:
            users["Administrator"] = self._user(enabled=False, builtin=True)

    @staticmethod
    def _user(enabled=True, builtin=False):
        return {
            "password": None,
            "groups": [],
            "enabled": enabled,
            "builtin_admin": builtin,
            "change_password_next_logon": False,
            "profile": None,
        }

    # The CD-ROM drive.
    def get_cdrom_drives(self):
        return [self.drive]

    def get_volume_label(self, drive):
        return volume_label(self.iso_path) if drive == self.drive else None

    def get_physical_disks(self):
        return []

    def get_volumes(self):
        return []

    # Accounts.
    def user_exists(self, username):
        return username in self.state["users"]

    def create_user(self, username, password, password_expires=False):
        self.state["users"][username] = self._user()
        self.state["users"][username]["password"] = password

    def set_user_password(self, username, password, password_expires=False):
        self.state["users"][username]["password"] = password

    def set_user_info(self, username, full_name=None, disabled=False, expire_interval=None):
        self.state["users"][username]["enabled"] = not disabled

    def enum_users(self):
        return list(self.state["users"])

    def is_builtin_admin(self, username):
        return self.state["users"][username]["builtin_admin"]

    def add_user_to_local_group(self, username, groupname):
        self.state["users"][username]["groups"].append(groupname)

    def group_exists(self, group):
        return group in ("Administrators", "Users", "Remote Desktop Users")

    def change_password_next_logon(self, username):
        self.state["users"][username]["change_password_next_logon"] = True

    def get_maximum_password_length(self):
        return 127

    def create_user_logon_session(self, username, password, domain=".", load_profile=True,
                                  logon_type=None):
        user = self.state["users"][username]
        if user["password"] != password:
            raise Exception("logon failure: unknown user name or bad password")
        if load_profile and user["profile"] is None:
            user["profile"] = os.path.join(WORK, "Users", username)
            os.makedirs(user["profile"])
        return username

    def close_user_logon_session(self, token):
        pass

    def get_user_home(self, username):
        return self.state["users"].get(username, {}).get("profile")

    # The machine.
    def set_host_name(self, new_host_name):
        self.state["hostname"] = new_host_name
        return True

    def execute_powershell_script(self, script_path, sysnative=True):
        with open(script_path, "rb") as f:
            content = f.read().decode()
        self.state["scripts"].append(
            {
                "kind": "powershell" + (" (sysnative)" if sysnative else ""),
                "file_name": os.path.basename(script_path),
                "content": content,
            }
        )
        return b"", b"", 0

    def execute_process(self, args, shell=True, decode_output=False):
        self.state["scripts"].append({"kind": "process", "args": list(map(str, args))})
        return b"", b"", 0

    def get_config_value(self, name, section=None):
        return self.state["config"].get((section, name))

    def set_config_value(self, name, value, section=None):
        self.state["config"][(section, name)] = value

    def wait_for_boot_completion(self):
        pass

    def check_os_version(self, major, minor, build=0):
        return True

    def get_network_adapters(self):
        return []

    def terminate(self):
        pass

    def reboot(self):
        pass


def windows_paths(module):
    """The module sees `os.path` with Windows separators, as on Windows."""
    path = types.SimpleNamespace(**vars(posixpath))
    path.join = lambda *parts: posixpath.join(*(p.replace(ntpath.sep, "/") for p in parts))
    module.os = types.SimpleNamespace(**{**vars(os), "path": path})


def main(iso_path):
    stock_services = list(CONF.metadata_services)
    SimulatedWindows.iso_path = iso_path
    SimulatedWindows.drive = mount(iso_path)

    # Windows-only modules the config-drive code imports: the raw-disk layer (unused for a
    # CD-ROM) is a stub; the rest of cloudbase-init is its own.
    sys.modules["cloudbaseinit.utils.windows.disk"] = types.ModuleType("disk")
    sys.platform = "win32"
    from cloudbaseinit.osutils import factory as osutils_factory
    from cloudbaseinit.metadata.services.osconfigdrive import windows as cd_windows

    osutils_factory.get_os_utils = SimulatedWindows
    cd_windows.osutils_factory.get_os_utils = SimulatedWindows
    windows_paths(cd_windows)

    # The stock list begins with network services (169.254.169.254, MAAS, ...): a test sends no
    # traffic there, so only the config drive is tried, having checked it is in the stock list.
    CONF.set_override(
        "metadata_services",
        ["cloudbaseinit.metadata.services.configdrive.ConfigDriveService"],
    )
    # Stock plugins that drive Windows services through WMI or COM (NTP, licensing, volumes,
    # WinRM) cannot load here; every other stock plugin runs.
    runnable, left_out = [], []
    for class_path in CONF.plugins:
        try:
            importlib.import_module(class_path.rsplit(".", 1)[0])
            runnable.append(class_path)
        except Exception:
            left_out.append(class_path)
    CONF.set_override("plugins", runnable)
    CONF.set_override("allow_reboot", False)
    CONF.set_override("bsdtar_path", "/nonexistent/bsdtar.exe")

    from cloudbaseinit import init

    found = {}
    from cloudbaseinit.metadata import factory as metadata_factory

    real_get_service = metadata_factory.get_metadata_service

    def get_service():
        service = real_get_service()
        found["service"] = service.get_name()
        return service

    metadata_factory.get_metadata_service = get_service
    init.metadata_factory.get_metadata_service = get_service
    init.InitManager().configure_host()

    users = SimulatedWindows.state["users"]
    for user in users.values():
        profile = user.pop("profile")
        keys = os.path.join(profile or "", ".ssh", "authorized_keys")
        user["authorized_keys"] = open(keys).read().split("\n")[:-1] if profile and os.path.exists(keys) else []
    print(
        json.dumps(
            {
                "stock_services": stock_services,
                "service": found.get("service"),
                "label": volume_label(iso_path),
                "hostname": SimulatedWindows.state["hostname"],
                "users": users,
                "scripts": SimulatedWindows.state["scripts"],
                "plugins_not_run": left_out,
                # What InitManager records as done (it records nothing for a failed plugin).
                "plugins_done": sorted(
                    name for (_, name), status in SimulatedWindows.state["config"].items()
                    if status == 1
                ),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
