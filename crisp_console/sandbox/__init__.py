"""The Crisp-compatible sandbox: a local REST v1 + RTM server with seeded data, simulated
visitors and fault injection. See README.md in this folder. Imports nothing of the app but
``crisp_console.types``."""
