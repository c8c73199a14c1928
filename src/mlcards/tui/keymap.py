"""The ``keymap`` setting applied one binding id at a time.

Textual's ``BindingsMap.apply_keymap`` (textual 8) removes *every* binding of a key when one binding
on that key is remapped: moving ``review.reveal`` (space, enter) to ``j`` also took space and enter
away from ``review.accept``, which shares them. ``KeymapBindings`` moves only the remapped binding;
a key the keymap gives to a binding still takes it from the bindings that keep their own keys there
(Textual reports those as clashed, as before).

A screen whose bindings share keys installs it with ``KeymapBindings.install(self)``.
"""

from __future__ import annotations

from textual.binding import Binding, BindingsMap, Keymap, KeymapApplyResult
from textual.dom import DOMNode


class KeymapBindings(BindingsMap):
    @classmethod
    def install(cls, node: DOMNode) -> None:
        """Give ``node`` this bindings map (the binding chain copies it, then applies the keymap)."""
        node._bindings = cls.from_keys({k: list(v) for k, v in node._bindings.key_to_bindings.items()})

    def copy(self) -> BindingsMap:
        return KeymapBindings.from_keys(self.key_to_bindings.copy())

    def apply_keymap(self, keymap: Keymap) -> KeymapApplyResult:
        kept: dict[str, list[Binding]] = {}
        moved: dict[str, list[Binding]] = {}
        done: set[str] = set()
        for key, bindings in self.key_to_bindings.items():
            for binding in bindings:
                keys = keymap.get(binding.id) if binding.id else None
                if not keys:
                    kept.setdefault(key, []).append(binding)
                    continue
                if binding.id in done:  # a binding on several keys appears once per key
                    continue
                done.add(binding.id or "")
                for new_key in (k.strip() for k in keys.split(",")):
                    if new_key:
                        moved.setdefault(new_key, []).append(binding.with_key(key=new_key, key_display=None))
        clashed: set[Binding] = set()
        for key in moved:
            clashed.update(kept.pop(key, ()))
        self.key_to_bindings = {**kept, **moved}
        return KeymapApplyResult(clashed)
