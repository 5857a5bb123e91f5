"""The risk team's verbs: ``train`` a bundle, ``keygen`` and ``sign`` to vouch for it, ``scale-data`` for benchmarks."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from desktop.cli.options import Verb

log = logging.getLogger("creditscore")


def cmd_train(args: argparse.Namespace) -> int:
    from engine.features import unknown_columns
    from engine.schema import PROTECTED
    from engine.train_bundle import train_bundle
    from engine.training import TrainingConfig

    exclude = PROTECTED if args.exclude is None else tuple(args.exclude)
    unknown = unknown_columns(exclude)
    if unknown:
        log.error("creditscore train: --exclude %s: no table has such a column", ", ".join(unknown))
        return 2
    bundle = train_bundle(args.data, args.out, TrainingConfig(seed=args.seed, exclude=exclude))
    metrics = bundle.manifest.metrics
    for name, m in metrics.variants.items():
        log.info(
            "%-9s OOF ROC AUC %.4f ± %.4f | cost @0.5 %d | cost @%.3f %d | cross-fitted cost %.0f",
            name, m.roc_auc_mean, m.roc_auc_std, m.at_0_5.business_cost, m.at_threshold.threshold,
            m.at_threshold.business_cost, m.cross_fitted_cost_mean,
        )
    for name, model in bundle.models.items():
        m = model.metrics
        log.info(
            "model %-11s OOF ROC AUC %.4f ± %.4f | threshold %.4f | mean PD %.4f (default rate %.4f)",
            name, m.roc_auc_mean, m.roc_auc_std, model.threshold, m.mean_pd, m.default_rate,
        )
    log.info(
        "shipped %s without %s, Brier %.4f (cross-fitted, full history), bundle %s in %.0f s",
        metrics.shipped, ", ".join(metrics.exclude) or "exclusions",
        metrics.calibration.brier_calibrated_cross_fitted, args.out, metrics.training_seconds,
    )
    log.info(
        "the bundle is not signed: the app and the scoring commands use it once a risk team signs it "
        "(creditscore sign %s --key KEY) and its public key is trusted (--trust KEY.pub); see docs/signing.md",
        args.out,
    )
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    from engine.signing import new_key_pair

    pair = new_key_pair(Path(args.folder), args.name)
    print(f"key {pair.key_id}")
    print(f"private key (keep it secret, never ship it): {pair.private}")
    print(f"public key (give it to the officers' machines, --trust): {pair.public}")
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    from engine.signing import SIGNATURE_FILE, sign_bundle

    record = sign_bundle(Path(args.bundle), Path(args.key))
    print(f"bundle {args.bundle} (manifest {record['manifest_sha256'][:12]}) signed by key {record['key_id']}: "
          f"{Path(args.bundle) / SIGNATURE_FILE}")
    return 0


def cmd_scale_data(args: argparse.Namespace) -> int:
    from tools.scaling import scale_data_cli

    rows = scale_data_cli(args.clients, Path(args.out), seed=args.seed, source=args.source and Path(args.source))
    for name, count in rows.items():
        print(f"{name}: {count:,} rows")
    return 0


def register(verb: Verb) -> None:
    p = verb("train", "train the three variants and write a model bundle")
    p.add_argument("--data", required=True, help="folder, .zip or files of application_train and its history")
    p.add_argument("--out", required=True, help="bundle folder to write")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--exclude", nargs="*", metavar="COL",
                   help="raw columns that must not be model inputs (default: the protected attribute, sex; "
                        "--exclude alone: none)")
    p.set_defaults(func=cmd_train)

    p = verb("keygen", "create an Ed25519 key pair to sign model bundles with")
    p.add_argument("folder", help="folder to write NAME.key (private, mode 0600) and NAME.pub (public) into")
    p.add_argument("--name", default="signing", help="file name of the keys (default: signing)")
    p.set_defaults(func=cmd_keygen)

    p = verb("sign", "sign a model bundle with a private key (writes signature.json in it)")
    p.add_argument("bundle", help="model bundle folder (its hashes are checked first)")
    p.add_argument("--key", required=True, help="private key file (from creditscore keygen)")
    p.set_defaults(func=cmd_sign)

    p = verb("scale-data", "grow the real extract to N clients for benchmarks")
    p.add_argument("--clients", type=int, required=True, help="total clients (train and test, Kaggle proportions)")
    p.add_argument("--out", required=True, help="folder for the generated CSV files")
    p.add_argument("--source", help="the real extract (default: $CREDITSCORE_SHARED_DATA/home-credit, else "
                   "../shared/data/home-credit beside the source tree)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_scale_data)
