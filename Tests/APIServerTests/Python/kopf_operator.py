"""A kopf operator for the compatibility test: on every Widget it sets status.phase and
copies spec.size into an annotation with a patch; its deletion handler holds a finalizer."""
import kopf


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_):
    settings.posting.level = 0
    settings.watching.server_timeout = 30
    settings.persistence.finalizer = "skiff.example.com/kopf-finalizer"


@kopf.on.create("example.com", "v1", "widgets")
@kopf.on.update("example.com", "v1", "widgets")
def reconcile(spec, patch, logger, **_):
    size = spec.get("size", 0)
    patch.metadata.annotations["example.com/size"] = str(size)
    logger.info(f"widget size {size}")
    return {"phase": f"Sized-{size}"}


@kopf.on.delete("example.com", "v1", "widgets")
def cleanup(name, logger, **_):
    # A deletion handler makes kopf hold the object with its finalizer until this ran.
    logger.info(f"widget {name} cleaned up")
