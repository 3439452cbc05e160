"""The Panopto part of a launch, by responsibility: what a click asks for (`kinds`), what a
launch sends (`sent`), the plan the policy allows (`plan`), and Panopto as a tool the platform
asks again (`tool`). Import from the module that holds a name."""
