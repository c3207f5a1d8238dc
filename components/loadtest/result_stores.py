"""How each cloud's upload container puts a run's report files into its bucket, with the pod's
own identity and no key (notes: upload-cli.md).

Each run lands under `<test>/<UTC start time>/`, so runs never overwrite each other and the
writer needs no delete or overwrite permission.
"""

import pulumi

from components.cloud_cli import (
    GCLOUD_IMAGE,
    OCI_BUCKET_FLAGS,
    OCI_CLI_IMAGE,
    gcloud_retried,
    oci_bucket_env,
)
from components.loadtest.load_tests import SCRATCH_DIR, ResultUpload

_RUN = 'run="$(date -u +%Y%m%dT%H%M%SZ)"'


def gcs_upload(bucket: pulumi.Input[str]) -> ResultUpload:
    command = 'gcloud storage rsync "$RESULTS" "gs://$BUCKET/$TEST/$run" --recursive'
    script = "; ".join(
        [
            "set -eu",
            _RUN,
            gcloud_retried(command),
            'echo "results: gs://$BUCKET/$TEST/$run/"',
        ]
    )
    return ResultUpload(
        image=GCLOUD_IMAGE,
        script=script,
        env={"BUCKET": bucket, "CLOUDSDK_CONFIG": f"{SCRATCH_DIR}/gcloud"},
        location=pulumi.Output.concat("gs://", bucket, "/"),
    )


def oci_upload(
    bucket: pulumi.Input[str], namespace: pulumi.Input[str], region: str
) -> ResultUpload:
    script = "; ".join(
        [
            "set -eu",
            _RUN,
            # --no-overwrite: without one of the two flags the CLI prompts per existing object.
            f'oci os object bulk-upload {OCI_BUCKET_FLAGS} --src-dir "$RESULTS"'
            ' --object-prefix "$TEST/$run/" --no-overwrite --no-multipart',
            'echo "results: oci://$BUCKET@$OS_NAMESPACE/$TEST/$run/"',
        ]
    )
    return ResultUpload(
        image=OCI_CLI_IMAGE,
        script=script,
        env={**oci_bucket_env(bucket, namespace, region), "HOME": SCRATCH_DIR},
        location=pulumi.Output.concat("oci://", bucket, "@", namespace, "/"),
    )
