"""The national system's 《（自定义）监测对象信息》 export: column spec, reader, import and export."""
