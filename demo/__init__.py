"""The demo: a backend with demo data and a tablet paired to it, in one command
(`foyer-demo`), and the pictures it sends as Marie. Above the backend and the tablet alike."""
