"""PLACEHOLDER: being written."""

from crisp_console.sandbox.state import SandboxState


class Simulator:
    def __init__(self, state: SandboxState, rate: float = 0.0) -> None:
        self.state = state
        self.rate = rate

    def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass
