"""Checks on container image references given in config."""

from pydantic import AfterValidator

DIGEST_MARKER = "@sha256:"


def pinned_image_problem(reference: str, example: str) -> str | None:
    """Why `reference` is not pinned (no tag, `latest`, or no digest), or None.

    A tag other than `latest` or a digest is accepted: an immutable tag is as good as a digest
    for deciding what runs, and Artifact Registry can enforce immutable tags."""
    if DIGEST_MARKER in reference:
        return None
    name = reference.rsplit("/", 1)[-1]
    if ":" not in name:
        return f"{reference!r} has no tag or digest; pin it, e.g. {example}"
    if name.endswith(":latest"):
        return (
            f"{reference!r} uses the moving tag 'latest'; pin a version or a digest,"
            f" e.g. {example}"
        )
    return None


def pinned_image(example: str) -> AfterValidator:
    """A config field validator refusing an unpinned reference; `example` shows a pinned one."""

    def check(value: str) -> str:
        problem = pinned_image_problem(value, example)
        if problem is not None:
            raise ValueError(problem)
        return value

    return AfterValidator(check)
