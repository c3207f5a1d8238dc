"""How each cloud's CLI checks and fills the weights cache for the fill Job (`CacheStore`),
with the Job's own identity (notes: upload-cli.md, coldstart-oci.md).

The check treats any failure as "not cached": the Job then downloads again, and the upload,
which is retried, reports a real access problem. Uploads retry a few times: a transient error
would otherwise cost the whole download from Hugging Face again (the Job's next pod).
"""

import pulumi

from components.cloud_cli import (
    GCLOUD_IMAGE,
    OCI_BUCKET_FLAGS,
    OCI_CLI_IMAGE,
    gcloud_retried,
    oci_bucket_env,
    retried,
)
from components.weights.fill_jobs import SCRATCH_DIR, CacheStore

_SKIP_IF_DONE = '[ -e "$DONE" ] && { echo "already cached"; exit 0; }'
OCI_UPLOAD_PARALLELISM = 8


def gcs_store(bucket: pulumi.Input[str]) -> CacheStore:
    # Wait until the metadata server answers for the pod (a new pod's first seconds), so that
    # a failed lookup below means "no marker", not "no identity yet".
    ready = gcloud_retried("gcloud auth print-access-token >/dev/null", attempts=12)
    check = (
        f"{ready}; "
        'if gcloud storage objects describe "gs://$BUCKET/$MARKER" >/dev/null 2>&1;'
        ' then touch "$DONE"; fi'
    )
    rsync = 'gcloud storage rsync "$WEIGHTS" "gs://$BUCKET/$PREFIX" --recursive'
    upload = "; ".join(
        [
            "set -eu",
            _SKIP_IF_DONE,
            gcloud_retried(rsync),
            gcloud_retried('gcloud storage cp "$REVISION" "gs://$BUCKET/$MARKER"'),
        ]
    )
    return CacheStore(
        image=GCLOUD_IMAGE,
        check_script=check,
        upload_script=upload,
        env={"BUCKET": bucket, "CLOUDSDK_CONFIG": f"{SCRATCH_DIR}/gcloud"},
    )


def oci_store(
    bucket: pulumi.Input[str], storage_namespace: pulumi.Input[str], region: str
) -> CacheStore:
    # `length(data)` fails when nothing matches (the reply has no `data`): default to [].
    count = (
        f'oci os object list {OCI_BUCKET_FLAGS} --prefix "$MARKER"'
        " --query 'length(data || `[]`)' --raw-output"
    )
    check = f'n="$({count} 2>/dev/null || echo 0)"; if [ "$n" = 1 ]; then touch "$DONE"; fi'
    upload = "; ".join(
        [
            "set -eu",
            _SKIP_IF_DONE,
            # --overwrite: a retry replaces a partial upload instead of prompting.
            retried(
                f'oci os object bulk-upload {OCI_BUCKET_FLAGS} --src-dir "$WEIGHTS"'
                f' --object-prefix "$PREFIX/" --overwrite'
                f" --parallel-upload-count {OCI_UPLOAD_PARALLELISM}"
            ),
            retried(
                f'oci os object put {OCI_BUCKET_FLAGS} --name "$MARKER" --file "$REVISION" --force'
            ),
        ]
    )
    return CacheStore(
        image=OCI_CLI_IMAGE,
        check_script=check,
        upload_script=upload,
        env=oci_bucket_env(bucket, storage_namespace, region),
    )
