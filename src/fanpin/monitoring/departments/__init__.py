"""部门数据: department files (医保, 民政, 教育, 住建, 残联, 人社, 应急, other) loaded as batches, matched to
members by normalised ID number, and the departments' rules raising leads (docs/departments.md)."""
