"""Human-readable differences between two versions of a trust list."""

from __future__ import annotations

from trustsvc.trustlist.model import TrustList, format_time, short_name


def diff(old: TrustList, new: TrustList) -> list[str]:
    """One line per change, `+` added, `-` removed, `~` changed; empty when the lists say the same thing."""
    out: list[str] = []
    if old.territory != new.territory:
        out.append(f"~ territory {old.territory} -> {new.territory}")
    if old.sequence_number != new.sequence_number:
        out.append(f"~ sequence number {old.sequence_number} -> {new.sequence_number}")
    for attr in ("issued_at", "next_update"):
        a, b = getattr(old, attr), getattr(new, attr)
        if a != b:
            out.append(f"~ {attr} {format_time(a)} -> {format_time(b)}")
    for attr in ("scheme_name", "scheme_operator"):
        if getattr(old, attr) != getattr(new, attr):
            out.append(f"~ {attr} {getattr(old, attr)!r} -> {getattr(new, attr)!r}")
    olds, news = {s.name: s for s in old.services}, {s.name: s for s in new.services}
    for name in sorted(olds.keys() - news.keys()):
        out.append(f"- service '{name}'")
    for name in sorted(news.keys() - olds.keys()):
        s = news[name]
        out.append(f"+ service '{name}' ({short_name(s.type)}, {short_name(s.status.status)} since "
                   f"{format_time(s.status.start)}, usages {', '.join(s.usages) or 'none'})")
    for name in sorted(olds.keys() & news.keys()):
        a, b = olds[name], news[name]
        if a.type != b.type:
            out.append(f"~ service '{name}' type {short_name(a.type)} -> {short_name(b.type)}")
        for h in b.history[len(a.history):] if b.history[: len(a.history)] == a.history else ():
            out.append(f"~ service '{name}' status {short_name(h.status)} from {format_time(h.start)}")
        if b.history[: len(a.history)] != a.history:
            out.append(f"~ service '{name}' status history rewritten "
                       f"({len(a.history)} -> {len(b.history)} entries)")
        for u in sorted(set(b.usages) - set(a.usages)):
            out.append(f"+ service '{name}' usage {u}")
        for u in sorted(set(a.usages) - set(b.usages)):
            out.append(f"- service '{name}' usage {u}")
        ai = {i.certificate.sha256 if i.certificate else (i.ski or b"").hex() for i in a.identities}
        bi = {i.certificate.sha256 if i.certificate else (i.ski or b"").hex() for i in b.identities}
        for h in sorted(bi - ai):
            out.append(f"+ service '{name}' identity {h[:16]}...")
        for h in sorted(ai - bi):
            out.append(f"- service '{name}' identity {h[:16]}...")
        if a.criteria != b.criteria:
            out.append(f"~ service '{name}' criteria {a.criteria} -> {b.criteria}")
        if a.supply_points != b.supply_points:
            out.append(f"~ service '{name}' supply points {list(a.supply_points)} -> {list(b.supply_points)}")
    op, np_ = {p.territory: p for p in old.pointers}, {p.territory: p for p in new.pointers}
    for t in sorted(op.keys() - np_.keys()):
        out.append(f"- pointer {t}")
    for t in sorted(np_.keys() - op.keys()):
        out.append(f"+ pointer {t} ({np_[t].location}, {len(np_[t].signing_certificates)} pinned)")
    for t in sorted(op.keys() & np_.keys()):
        a_pins = {c.sha256 for c in op[t].signing_certificates}
        b_pins = {c.sha256 for c in np_[t].signing_certificates}
        for h in sorted(b_pins - a_pins):
            out.append(f"+ pointer {t} pins {h[:16]}...")
        for h in sorted(a_pins - b_pins):
            out.append(f"- pointer {t} pin {h[:16]}...")
        if op[t].location != np_[t].location:
            out.append(f"~ pointer {t} location {op[t].location} -> {np_[t].location}")
    a_ann = {c.sha256 for c in old.announced_signing_certificates}
    b_ann = {c.sha256 for c in new.announced_signing_certificates}
    for h in sorted(b_ann - a_ann):
        out.append(f"+ announced signing key {h[:16]}...")
    for h in sorted(a_ann - b_ann):
        out.append(f"- announced signing key {h[:16]}...")
    return out


__all__ = ["diff"]
