"""The demo company's shipments: the scenarios that `rarex demo` prints and that the demo
workspace stores as assessments."""

from __future__ import annotations

from rarex.core.verdict import Shipment
from rarex.core.vocab import EndUse, EndUserType

DEMO_SHIPMENTS: tuple[tuple[str, Shipment, list[str] | None], ...] = (
    (
        "Every product, and the Japanese SmCo magnet sold as a spare, shipped from Germany to "
        "a civil end user in the United States",
        Shipment("DE", "US", "Example Automotive Inc.", EndUserType.CIVIL, EndUse.CIVIL),
        [
            "EVM-200",
            "SMCO-26",
            "TGT-GD-300",
            "PACK-48V",
            "ANODE-SG",
            "TOOL-WC-12",
            "RADAR-X",
            "PUMP-E",
        ],
    ),
    (
        "The radar unit, shipped from Germany to a listed US military end user",
        Shipment("DE", "US", "Lockheed Martin Corporation", EndUserType.MILITARY, EndUse.MILITARY),
        ["RADAR-X"],
    ),
    (
        "Materials from the Chinese suppliers, if exported from China to the United States",
        Shipment("CN", "US", "Example Automotive Inc.", EndUserType.CIVIL, EndUse.CIVIL),
        ["DY-METAL", "SM-METAL", "ANODE-SG", "WC-POWDER", "GAN-WAFER", "CELL-21700"],
    ),
)
