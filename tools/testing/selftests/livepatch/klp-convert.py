#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klp-convert.py - turn placeholder symbols of a livepatch module into
# livepatch relocations, the way kpatch-build and klp-convert do.
#
# A patch module refers to a symbol that it cannot link against (a static
# function or variable of vmlinux or of a module) through a weak undefined
# placeholder whose name says what it stands for:
#
#	extern int secret __asm__("klp_sym$<object>$<symbol>$<sympos>") __weak;
#
# For every such symbol this script renames it .klp.sym.<object>.<symbol>,
# <sympos>, gives it the section index SHN_LIVEPATCH, and moves each
# relocation that uses it into a section .klp.rela.<object>.<section>
# flagged SHF_RELA_LIVEPATCH | SHF_ALLOC, which the livepatch core applies
# when <object> is loaded (see Documentation/livepatch/module-elf-format.rst).
#
# Usage: klp-convert.py MODULE.ko...   (modules without placeholders are
# left untouched, so converting twice is harmless)

import re
import struct
import sys

SHT_SYMTAB = 2
SHT_RELA = 4
SHT_NOBITS = 8
SHF_ALLOC = 0x2
SHF_INFO_LINK = 0x40
SHF_RELA_LIVEPATCH = 0x00100000
SHN_LIVEPATCH = 0xff20
STB_GLOBAL = 1

EHDR = struct.Struct('<16sHHIQQQIHHHHHH')
SHDR = struct.Struct('<IIQQQQIIQQ')
SYM = struct.Struct('<IBBHQQ')
RELA = struct.Struct('<QQq')

PLACEHOLDER = re.compile(r'^klp_sym\$([^$.]+)\$([^$]+)\$([0-9]+)$')


class Section:
    def __init__(self, raw, data):
        (self.name, self.type, self.flags, self.addr, self.offset, self.size,
         self.link, self.info, self.addralign, self.entsize) = SHDR.unpack(raw)
        self.data = data

    def pack(self):
        size = self.size if self.type == SHT_NOBITS else len(self.data)
        return SHDR.pack(self.name, self.type, self.flags, self.addr,
                         self.offset, size, self.link, self.info,
                         self.addralign, self.entsize)


def cstr(table, offset):
    return table[offset:table.index(b'\0', offset)].decode()


def add_string(section, text):
    offset = len(section.data)
    section.data += text.encode() + b'\0'
    return offset


def convert(path):
    with open(path, 'rb') as f:
        image = f.read()
    ehdr = list(EHDR.unpack_from(image))
    if ehdr[0][:6] != b'\x7fELF\x02\x01':
        sys.exit(f'{path}: not a 64-bit little-endian ELF file')
    shoff, shentsize, shnum, shstrndx = ehdr[6], ehdr[11], ehdr[12], ehdr[13]
    sections = []
    for i in range(shnum):
        raw = image[shoff + i * shentsize:shoff + (i + 1) * shentsize]
        sec = Section(raw, b'')
        if sec.type != SHT_NOBITS:
            sec.data = bytearray(image[sec.offset:sec.offset + sec.size])
        sections.append(sec)
    shstrtab = sections[shstrndx]
    symtab_index = next(i for i, s in enumerate(sections) if s.type == SHT_SYMTAB)
    symtab = sections[symtab_index]
    strtab = sections[symtab.link]

    # Placeholders: symbol index -> object name.
    targets = {}
    for index in range(len(symtab.data) // SYM.size):
        name, info, other, shndx, value, size = SYM.unpack_from(
            symtab.data, index * SYM.size)
        match = PLACEHOLDER.match(cstr(strtab.data, name))
        if not match:
            continue
        if shndx != 0:
            sys.exit(f'{path}: placeholder {cstr(strtab.data, name)} is defined')
        obj, sym, pos = match.groups()
        name = add_string(strtab, f'.klp.sym.{obj}.{sym},{pos}')
        info = (STB_GLOBAL << 4) | (info & 0xf)
        SYM.pack_into(symtab.data, index * SYM.size, name, info, other,
                      SHN_LIVEPATCH, 0, 0)
        targets[index] = obj
    if not targets:
        return 0

    # Move the relocations that use them into .klp.rela sections.
    moved = {}
    for sec in list(sections):
        if sec.type != SHT_RELA or sec.flags & SHF_RELA_LIVEPATCH:
            continue
        kept = bytearray()
        for off in range(0, len(sec.data), RELA.size):
            entry = sec.data[off:off + RELA.size]
            obj = targets.get(RELA.unpack(entry)[1] >> 32)
            if obj is None:
                kept += entry
                continue
            key = (obj, sec.info)
            moved.setdefault(key, bytearray()).extend(entry)
        sec.data = kept
    for (obj, info), data in sorted(moved.items()):
        target_name = cstr(shstrtab.data, sections[info].name)
        raw = SHDR.pack(add_string(shstrtab, f'.klp.rela.{obj}.{target_name}'),
                        SHT_RELA, SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH,
                        0, 0, 0, symtab_index, info, 8, RELA.size)
        sections.append(Section(raw, data))

    # Lay the file out again: contents in order, then the section headers.
    out = bytearray(image[:EHDR.size])
    for sec in sections[1:]:
        if sec.type == SHT_NOBITS:
            continue
        align = max(sec.addralign, 1)
        out += b'\0' * (-len(out) % align)
        sec.offset = len(out)
        out += sec.data
    out += b'\0' * (-len(out) % 8)
    ehdr[6], ehdr[12] = len(out), len(sections)
    out[:EHDR.size] = EHDR.pack(*ehdr)
    for sec in sections:
        out += sec.pack()
    with open(path, 'wb') as f:
        f.write(out)
    print(f'klp-convert: {path}: {len(targets)} symbol(s), '
          f'{sum(len(d) for d in moved.values()) // RELA.size} relocation(s)')
    return 0


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit('usage: klp-convert.py MODULE.ko...')
    for module in sys.argv[1:]:
        convert(module)
