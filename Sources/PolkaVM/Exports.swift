@_exported import PolkaVMProgram
