"""Everything the call window says, French first, and the English table `--lang en` selects.

The call process has no Qt catalogue of its own (the kiosk's `foyer_en.ts` is built from the
kiosk's screens); its few sentences are here, formatted with the other person's name.
"""

from __future__ import annotations

from dataclasses import dataclass

# French source → English. `{name}` is the other person's first name.
ENGLISH: dict[str, str] = {
    "Ça sonne chez {name}…": "Calling {name}…",
    "Ça sonne…": "Calling…",
    "Connexion avec {name}…": "Connecting to {name}…",
    "Connexion…": "Connecting…",
    "En communication avec {name}": "On a call with {name}",
    "En communication": "On a call",
    "Connexion perdue, on essaie de la retrouver…": "Connection lost, trying to get it back…",
    "Raccrocher": "Hang up",
    "Plus fort": "Louder",
    "Moins fort": "Quieter",
    "Couper la caméra": "Camera off",
    "Rallumer la caméra": "Camera on",
    "Caméra coupée": "Camera off",
    "Pas de caméra : {name} vous entend sans vous voir.": (
        "No camera: {name} can hear you but not see you."
    ),
    "Pas de caméra : on vous entend sans vous voir.": "No camera: you can be heard, not seen.",
    "Volume : {percent} %": "Volume: {percent}%",
    "{name} a raccroché.": "{name} hung up.",
    "Votre correspondant a raccroché.": "The other person hung up.",
    "L'appel est terminé.": "The call has ended.",
    "L'appel a été annulé.": "The call was cancelled.",
    "{name} n'a pas répondu. Un message lui dira que vous avez appelé.": (
        "{name} did not answer. A message will say that you called."
    ),
    "Personne n'a répondu.": "Nobody answered.",
    "{name} ne peut pas répondre pour le moment.": "{name} cannot answer right now.",
    "{name} est déjà en communication.": "{name} is already on a call.",
    "L'appel a été coupé : la connexion s'est interrompue.": (
        "The call was cut off: the connection was lost."
    ),
    "L'appel s'est interrompu.": "The call was interrupted.",
    "Le service d'appel ne répond pas. Réessayez dans un moment.": (
        "The call service is not answering. Please try again in a moment."
    ),
}


@dataclass(frozen=True)
class Words:
    """The sentences in one language; `name` is the other person's, or None if unknown."""

    language: str
    name: str | None

    def say(self, french: str, **values: object) -> str:
        text = ENGLISH.get(french, french) if self.language == "en" else french
        return text.format(name=self.name or "", **values)

    def named(self, with_name: str, without: str) -> str:
        """The sentence naming the other person, or the one that needs no name."""
        return self.say(with_name) if self.name else self.say(without)

    # -- what the window says while the call goes on -------------------------------------
    def ringing(self) -> str:
        return self.named("Ça sonne chez {name}…", "Ça sonne…")

    def connecting(self) -> str:
        return self.named("Connexion avec {name}…", "Connexion…")

    def connected(self) -> str:
        return self.named("En communication avec {name}", "En communication")

    def recovering(self) -> str:
        return self.say("Connexion perdue, on essaie de la retrouver…")

    def no_camera(self) -> str:
        return self.named(
            "Pas de caméra : {name} vous entend sans vous voir.",
            "Pas de caméra : on vous entend sans vous voir.",
        )

    # -- the final sentences -------------------------------------------------------------
    def other_hung_up(self) -> str:
        return self.named("{name} a raccroché.", "Votre correspondant a raccroché.")

    def we_hung_up(self) -> str:
        return self.say("L'appel est terminé.")

    def cancelled(self) -> str:
        return self.say("L'appel a été annulé.")

    def missed(self) -> str:
        return self.named(
            "{name} n'a pas répondu. Un message lui dira que vous avez appelé.",
            "Personne n'a répondu.",
        )

    def refused(self) -> str:
        return self.named("{name} ne peut pas répondre pour le moment.", "L'appel est terminé.")

    def busy(self) -> str:
        return self.named("{name} est déjà en communication.", "L'appel est terminé.")

    def network(self) -> str:
        return self.say("L'appel a été coupé : la connexion s'est interrompue.")

    def interrupted(self) -> str:
        return self.say("L'appel s'est interrompu.")

    def unreachable(self) -> str:
        return self.say("Le service d'appel ne répond pas. Réessayez dans un moment.")

    def for_outcome(self, outcome: str | None, end_reason: str | None = None) -> str:
        """The sentence for a call the other side (or the backend) ended."""
        if end_reason == "network":
            return self.network()
        return {
            "completed": self.other_hung_up,
            "missed": self.missed,
            "refused": self.refused,
            "busy": self.busy,
            "cancelled": self.cancelled,
        }.get(outcome or "", self.interrupted)()


def first_name(full_name: str | None) -> str | None:
    """« Paul » of « Paul Martin »: how the tablet speaks of the people in the circle."""
    if not full_name or not full_name.strip():
        return None
    return full_name.strip().split()[0]
