public enum PolkaVMInterpreterPlaceholder {}
