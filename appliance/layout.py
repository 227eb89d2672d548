"""Files the appliance keeps in the tablet's data directory, beside the tablet's own."""

# The device's identity, made once at first boot; a factory reset keeps it (the same tablet).
DEVICE_ID_FILE = "device-id"
