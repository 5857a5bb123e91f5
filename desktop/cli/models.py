"""The risk team's verbs: ``train`` a bundle, ``keygen`` and ``sign`` to vouch for it, ``scale-data`` for benchmarks."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from desktop.cli.options import Verb
from desktop.i18n import number, t

log = logging.getLogger("creditscore")


def cmd_train(args: argparse.Namespace) -> int:
    from engine.features import unknown_columns
    from engine.schema import PROTECTED
    from engine.train_bundle import train_bundle
    from engine.training import TrainingConfig

    lang = args.lang
    exclude = PROTECTED if args.exclude is None else tuple(args.exclude)
    unknown = unknown_columns(exclude)
    if unknown:
        log.error("creditscore train: %s", t("cli.exclude_unknown", lang, columns=", ".join(unknown)))
        return 2
    bundle = train_bundle(args.data, args.out, TrainingConfig(seed=args.seed, exclude=exclude))
    metrics = bundle.manifest.metrics

    def num(value: float, decimals: int = 4) -> str:
        return number(value, lang, decimals)

    for name, m in metrics.variants.items():
        log.info("%s", t("cli.train_variant", lang, variant=name, auc=num(m.roc_auc_mean), std=num(m.roc_auc_std),
                         cost=m.at_0_5.business_cost, threshold=num(m.at_threshold.threshold, 3),
                         cost_at=m.at_threshold.business_cost, cross_fitted=num(m.cross_fitted_cost_mean, 0)))
    for name, model in bundle.models.items():
        m = model.metrics
        log.info("%s", t("cli.train_model", lang, model=t(f"model.coverage_{name}", lang), auc=num(m.roc_auc_mean),
                         std=num(m.roc_auc_std), threshold=num(model.threshold), pd=num(m.mean_pd),
                         rate=num(m.default_rate)))
    log.info("%s", t("cli.train_shipped", lang, variant=metrics.shipped, exclude=", ".join(metrics.exclude) or "–",
                     brier=num(metrics.calibration.brier_calibrated_cross_fitted), bundle=args.out,
                     seconds=num(metrics.training_seconds, 0)))
    log.info("%s", t("cli.train_unsigned", lang, bundle=args.out))
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    from engine.signing import new_key_pair

    pair = new_key_pair(Path(args.folder), args.name)
    print(t("cli.key_id", args.lang, key_id=pair.key_id))
    print(t("cli.key_private", args.lang, path=pair.private))
    print(t("cli.key_public", args.lang, path=pair.public))
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    from engine.signing import SIGNATURE_FILE, sign_bundle

    record = sign_bundle(Path(args.bundle), Path(args.key))
    print(t("cli.signed", args.lang, bundle=args.bundle, manifest=record["manifest_sha256"][:12], key_id=record["key_id"],
            path=Path(args.bundle) / SIGNATURE_FILE))
    return 0


def cmd_scale_data(args: argparse.Namespace) -> int:
    from tools.scaling import scale_data_cli

    rows = scale_data_cli(args.clients, Path(args.out), seed=args.seed, source=args.source and Path(args.source))
    for name, count in rows.items():
        print(t("cli.table_rows", args.lang, table=name, n=count))
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
