public enum PolkaVMPlaceholder {}
