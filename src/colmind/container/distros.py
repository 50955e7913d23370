"""Base images and system-package commands per OS family (pure data).

Every image gets Python 3 with ``venv`` (colmind is installed into ``/opt/colmind/venv`` from
wheels, offline), PyYAML from the distro (a compiled package; the venv sees it through
``--system-site-packages``), bash, git, wget, sudo and CA certificates.
"""

from __future__ import annotations

from dataclasses import dataclass

from colmind.errors import CMError


@dataclass(frozen=True)
class Distro:
    family: str  # debian | rhel
    default_version: str
    images: dict[str, str]  # version -> FROM image
    packages: tuple[str, ...]


_DEBIAN_PACKAGES = ("bash", "ca-certificates", "git", "python3", "python3-venv", "python3-yaml", "sudo", "wget")
_RHEL_PACKAGES = ("bash", "ca-certificates", "git", "python3", "python3-pip", "python3-pyyaml", "shadow-utils",
                  "sudo", "wget")

DISTROS: dict[str, Distro] = {
    "ubuntu": Distro("debian", "22.04", {"20.04": "ubuntu:20.04", "22.04": "ubuntu:22.04", "24.04": "ubuntu:24.04"},
                     _DEBIAN_PACKAGES),
    "debian": Distro("debian", "12", {"11": "debian:11", "12": "debian:12", "bookworm": "debian:bookworm"},
                     _DEBIAN_PACKAGES),
    "rhel": Distro("rhel", "9", {"8": "registry.access.redhat.com/ubi8/ubi:8.10",
                                 "9": "registry.access.redhat.com/ubi9/ubi:9.5"}, _RHEL_PACKAGES),
}


def distro(os_name: str) -> Distro:
    found = DISTROS.get(os_name.lower())
    if found is None:
        raise CMError(f"--docker_os={os_name} is not supported", hint="use one of: " + ", ".join(sorted(DISTROS)))
    return found


def base_image(os_name: str, version: str, override: str) -> str:
    """``FROM`` image: an explicit ``--docker_base_image`` wins, else the distro table."""
    if override:
        return override
    info = distro(os_name)
    chosen = version or info.default_version
    if chosen not in info.images:
        raise CMError(f"--docker_os_version={chosen} is not known for {os_name}",
                      hint="known: " + ", ".join(sorted(info.images)) + " (or give --docker_base_image)")
    return info.images[chosen]


def install_command(family: str, packages: list[str]) -> str:
    """One shell command installing ``packages`` and cleaning the package lists in the same layer."""
    names = " ".join(sorted(set(packages)))
    if family == "rhel":
        return f"dnf install -y --setopt=install_weak_deps=False {names} && dnf clean all && rm -rf /var/cache/dnf"
    return ("apt-get update && apt-get install -y --no-install-recommends " + names
            + " && rm -rf /var/lib/apt/lists/*")
