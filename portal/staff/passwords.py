"""The password policy for staff: long enough, and not one of the passwords everybody tries first."""

import re

MIN_PASSWORD_LENGTH = 12

# Words that common passwords are built from (a password is refused when, once lower-cased and
# stripped of digits and punctuation around it, it is one of these, or only digits and symbols).
# Norwegian and English; lists of leaked passwords are full of them with a year or "123" added.
COMMON_WORDS = frozenset(
    [
        "password",
        "passord",
        "passwort",
        "passw0rd",
        "p@ssword",
        "p@ssw0rd",
        "letmein",
        "welcome",
        "velkommen",
        "admin",
        "administrator",
        "qwerty",
        "qwertz",
        "azerty",
        "qwertyuiop",
        "qwertyuiopå",
        "asdfghjkl",
        "asdfghjklæø",
        "zxcvbnm",
        "iloveyou",
        "jegelskerdeg",
        "elskerdeg",
        "sommer",
        "vinter",
        "høst",
        "hosten",
        "våren",
        "varen",
        "vår",
        "sommeren",
        "vinteren",
        "football",
        "fotball",
        "soccer",
        "baseball",
        "dragon",
        "monkey",
        "sunshine",
        "princess",
        "shadow",
        "master",
        "superman",
        "batman",
        "trustno1",
        "starwars",
        "whatever",
        "freedom",
        "hello",
        "hallo",
        "heisann",
        "abc",
        "abcdef",
        "abcdefgh",
        "stavanger",
        "bergen",
        "oslo",
        "trondheim",
        "norge",
        "norway",
        "kommune",
        "stavangerkommune",
        "bergenkommune",
        "flyktningtjenesten",
        "ankomst",
        "changeme",
        "endremeg",
        "hemmelig",
        "secret",
        "secretpassword",
        "test",
        "testing",
        "demo",
        "default",
        "login",
        "innlogging",
        "brukernavn",
        "username",
        "user",
        "bruker",
    ]
)
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def is_common(password: str) -> bool:
    lowered = password.strip().lower()
    core = _AROUND.sub("", lowered)
    if not core:
        return True  # only digits and symbols: 123456789012, !!!!1111!!!!
    if len(set(lowered)) <= 3:
        return True  # aaaaaaaaaaaa, abababababab
    return core in COMMON_WORDS or core.replace(" ", "") in COMMON_WORDS


def problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why the password cannot be used (a code), or None. Codes: short, common, personal."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "short"
    if is_common(password):
        return "common"
    lowered = password.lower()
    personal = [email.split("@")[0].lower(), *name.lower().split()]
    if any(len(part) >= 4 and part in lowered for part in personal):
        return "personal"
    return None


ENGLISH_PROBLEMS = {
    "short": f"the password needs at least {MIN_PASSWORD_LENGTH} characters",
    "common": "the password is too common: choose a longer phrase of your own",
    "personal": "the password must not contain your name or email address",
}
