"""The appliance: what makes a Raspberry Pi a Foyer tablet (first boot, factory reset, A/B
updates and their `foyer` command). It sits above the tablet application (`kiosk`) and
pairing (`provisioning`), and nothing below imports it."""
