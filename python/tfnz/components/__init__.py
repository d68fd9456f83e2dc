# SPDX-License-Identifier: BSD-2-Clause
"""Higher-level components built from containers (the original's
tfnz.components)."""
